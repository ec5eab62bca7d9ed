"""Messages kept translatable until they are shown: pure Python, no Flask.

Modules that stay free of Flask (the engine, rules, importers) write their messages in
Vietnamese and mark the templates with N_ for the catalogue; a Message keeps the template
and its values, so that the layer showing it translates it with Flask-Babel's gettext:
`message.translated(gettext)`.
"""


def N_(text):
    """Mark a string for extraction (pybabel finds N_ by default); translated where it is displayed."""
    return text


class Message(str):
    """A message in Vietnamese (the string itself) that keeps its template, a catalogue
    msgid marked with N_, and its values, so that the layer showing it can translate it:
    `message.translated(gettext)`. Values that are Messages are translated as well.

    For modules that stay free of Flask: they build Messages, the views (or the services
    between them) pass Flask-Babel's gettext."""

    def __new__(cls, template, **params):
        if isinstance(template, Message) and not params:
            return template
        self = super().__new__(cls, template % params if params else template)
        self.template, self.params = str(template), params
        return self

    def translated(self, gettext) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        return text % {name: translated(value, gettext) for name, value in self.params.items()}


def translated(text, gettext):
    """`text` through `gettext` when it is a Message; any other value as it is."""
    return text.translated(gettext) if isinstance(text, Message) else text


def joined(separator: str, items) -> Message:
    """Messages (or plain strings) joined by `separator`, each translated on its own."""
    items = list(items)
    template = separator.replace("%", "%%").join(f"%(item{index})s" for index in range(len(items)))
    return Message(template, **{f"item{index}": item for index, item in enumerate(items)})


def reason(error: Exception):
    """An exception's text to put in a message: its Message when it has one."""
    return error.message if isinstance(error, MessageError) else str(error)


def vietnamese(text):
    """The gettext of the source language: messages are written in Vietnamese."""
    return text


class MessageError(ValueError):
    """An error whose text is a Message: str(error) in Vietnamese (logs, command line),
    `error.translated(gettext)` for a page."""

    def __init__(self, template, **params):
        self.message = Message(template, **params)
        super().__init__(self.translated(vietnamese))

    def translated(self, gettext) -> str:
        return self.message.translated(gettext)
