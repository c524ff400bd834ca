# The part of PyYAML qualitykit uses (PyYAML ships no types): composing into nodes with marks.
from typing import Any

class Mark:
    line: int
    column: int

class Node:
    # "scalar", "sequence" or "mapping": the node's kind without importing its class.
    id: str
    tag: str
    value: Any
    start_mark: Mark
    end_mark: Mark

class ScalarNode(Node):
    value: str
    style: str | None

class SequenceNode(Node):
    value: list[Node]
    flow_style: bool | None

class MappingNode(Node):
    value: list[tuple[Node, Node]]

class YAMLError(Exception): ...

class MarkedYAMLError(YAMLError):
    problem: str | None
    problem_mark: Mark | None
    context_mark: Mark | None

class SafeLoader: ...

# libyaml's loader: present only when PyYAML was built with libyaml.
class CSafeLoader: ...

__with_libyaml__: bool

# Called as compose(text, Loader=SafeLoader); the keyword keeps the stub free of a naming noqa.
def compose(stream: str, **loader: type[SafeLoader | CSafeLoader]) -> Node | None: ...

# The loaded document: any YAML value (narrowed by isinstance where it is read).
def safe_load(stream: str) -> object: ...
