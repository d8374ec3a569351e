"""The FIT importer (``read_fit``) and the two decoding engines behind it."""

from runtwitch.io.fit.importer import PROFILE_SDK_VERSION, Engine, hr_message_series, read_fit

__all__ = ["PROFILE_SDK_VERSION", "Engine", "hr_message_series", "read_fit"]
