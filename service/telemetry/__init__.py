"""What an operator watches: Prometheus metrics, one logging configuration with request ids, optional tracing."""
