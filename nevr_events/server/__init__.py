"""The service: app factory, settings, auth, stores, writer, stream, reads, GraphQL."""
