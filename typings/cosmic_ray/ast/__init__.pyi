from collections.abc import Iterator

import parso.python.tree
import parso.tree

def ast_nodes(node: parso.tree.NodeOrLeaf) -> Iterator[parso.tree.NodeOrLeaf]: ...
def get_ast(source: str) -> parso.python.tree.Module: ...
