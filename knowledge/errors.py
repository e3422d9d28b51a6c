"""The one error root of pufa. Its message is fit to show as is: one line, Chinese (with the English gist
where operators read it), never a traceback. The CLI and the bot each catch ``PufaError`` once."""


class PufaError(Exception):
    """Base class of every error pufa reports; ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class NotFound(PufaError):
    """What was asked for does not exist (an unknown article, unit or session)."""

    exit_code = 1


class ConfigError(PufaError):
    """A setting is missing or malformed; the message names the variable and what it expects."""


class CorpusError(PufaError):
    """A source file or the manifest cannot be used; the message names the file (and line)."""


class IndexNotReady(PufaError):
    """No index has been built yet, or it was built with another embedder."""


class EmbedderError(PufaError):
    """The configured embedding backend cannot be loaded."""


class IndexDamaged(IndexNotReady):
    """The index is there but not whole (a file truncated, emptied or deleted): it answers nothing until rebuilt."""
