"""Every read and write of inquiries, challenges, complaints and suspensions goes through here."""
