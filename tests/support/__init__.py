"""Real local peers for the tests: ports, feed servers, webhook receivers, the daemon."""
