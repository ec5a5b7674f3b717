"""The wire format: protobuf schema modules, the frame validators built on them, and the
read API's shared facts (``api``: page sizes, time format, legacy answer shape).

Shared by the server (validation, storage form, answers) and the client (encoding
frames, reading answers).
"""
