import enum
from pathlib import Path
from typing import Any

class WorkerOutcome(enum.StrEnum):
    NORMAL = "normal"
    EXCEPTION = "exception"
    ABNORMAL = "abnormal"
    NO_TEST = "no-test"
    SKIPPED = "skipped"

class TestOutcome(enum.StrEnum):
    SURVIVED = "survived"
    KILLED = "killed"
    INCOMPETENT = "incompetent"

class WorkResult:
    worker_outcome: WorkerOutcome
    output: str | None
    test_outcome: TestOutcome | None
    diff: str | None
    def __init__(
        self,
        worker_outcome: WorkerOutcome,
        output: str | None = None,
        test_outcome: TestOutcome | None = None,
        diff: str | None = None,
    ) -> None: ...

class MutationSpec:
    module_path: Path
    operator_name: str
    occurrence: int
    start_pos: tuple[int, int]
    end_pos: tuple[int, int]
    operator_args: dict[str, Any]
    definition_name: str | None
    def __init__(
        self,
        module_path: str | Path,
        operator_name: str,
        occurrence: int,
        start_pos: tuple[int, int],
        end_pos: tuple[int, int],
        operator_args: dict[str, Any] = ...,
        definition_name: str | None = None,
    ) -> None: ...

class WorkItem:
    job_id: str
    mutations: tuple[MutationSpec, ...]
    def __init__(self, job_id: str, mutations: tuple[MutationSpec, ...]) -> None: ...
    @classmethod
    def single(cls, job_id: str, mutation: MutationSpec) -> WorkItem: ...
