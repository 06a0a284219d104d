"""The media containers the library accepts, one module each, and the registry they join.

Each module declares a `FormatSpec` (MIME type, stored extension, label, description, the
file picker's extensions, a sniffer and an inspector); `registry.FORMATS` lists them, and
sniffing, validation, the labels, the upload hint, the picker's `accept` list and the upload
script's labels are all derived from it. To add a container: write its module, add its spec
to `FORMATS`.
"""
