"""Operations: health checks for the load balancer, Prometheus metrics, backups."""
