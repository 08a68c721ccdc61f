"""Provider adapters: each translates one client library to the neutral core."""
