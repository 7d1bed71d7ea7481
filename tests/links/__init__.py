"""Links between requests and waiting on another request."""
