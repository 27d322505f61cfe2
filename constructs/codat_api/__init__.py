"""Codat API facts shared by the local emulator and the CDK constructs.

Pure Python, no third-party imports: platform keys, data types, endpoint paths and every
behaviour the project ASSUMES where Codat documents nothing (see ``assumptions``).
"""
