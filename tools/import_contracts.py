"""Custom import-linter contract: an app's internals are reached only through its public modules.

openedx-learning's rule, enforced: other code imports ``<app>.api`` (and the URL conf imports
``<app>.urls``), never ``<app>.models``, ``<app>.services`` and so on. A new internal module is
protected the day it is created, which a hand-maintained list of forbidden modules would not be.

Configuration (``[[tool.importlinter.contracts]]`` in pyproject.toml)::

    type = "api_only"
    apps = ["content", "lms.schools"]
    public_modules = ["api", "urls"]
    allowed_importers = ["config"]
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class ApiOnlyContract(Contract):
    type_name = "api_only"

    apps = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    allowed_importers = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed_roots = list(self.allowed_importers or [])
        public = set(self.public_modules)
        violations = []
        for app in self.apps:
            internals = {m for m in graph.find_descendants(app) if not _is_public(app, m, public)}
            for module in sorted(internals):
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if _within(importer, app) or any(_within(importer, root) for root in allowed_roots):
                        continue
                    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=module)]
                    violations.append({"app": app, "importer": importer, "imported": module, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for v in check.metadata["violations"]:
            output.print_error(
                f"{v['importer']} -> {v['imported']} (l.{', '.join(map(str, v['lines']))}): "
                f"import {v['app']}.api instead",
                bold=False,
            )
            output.new_line()


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _is_public(app: str, module: str, public: set[str]) -> bool:
    rest = module[len(app) + 1 :]
    # Sub-packages of an app that are apps themselves (lms.schools inside lms) are checked on their own.
    return rest.split(".")[0] in public
