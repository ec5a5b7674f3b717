"""The wire format: protobuf schema modules and the frame validators built on them.

Shared by the server (validation, storage form) and the client (encoding frames).
"""
