"""Errors with messages fit to show an operator (Chinese, with the English gist)."""


class PufaError(Exception):
    """Base class: the message is shown as is, without a traceback."""


class CorpusError(PufaError):
    """A source file or the manifest cannot be used; the message names the file (and line)."""


class IndexNotReady(PufaError):
    """No index has been built yet, or it was built with another embedder."""


class EmbedderError(PufaError):
    """The configured embedding backend cannot be loaded."""
