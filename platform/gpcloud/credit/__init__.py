"""Credit management (诚信管理): credit records, mandatory checks, national lists, appeals."""
