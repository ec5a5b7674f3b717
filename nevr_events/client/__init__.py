"""The client side: HTTP ``Client``, the resilient ``FrameStream`` sender, recording readers."""
