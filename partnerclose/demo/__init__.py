"""A realistic sample program for `partnerclose demo`, the tests and the benchmarks.

`write_demo` writes a program workbook and the partner workbooks of one period;
`write_partner_workbooks` writes another period's partner workbooks for the same program.
"""

from partnerclose.demo.scenario import DemoSize, DemoSpec, Role, Scenario, build_scenario
from partnerclose.demo.writer import (
    PROGRAM_FILE,
    files_a_demo_would_touch,
    read_spec,
    write_demo,
    write_partner_workbooks,
)

__all__ = [
    "PROGRAM_FILE",
    "DemoSize",
    "DemoSpec",
    "Role",
    "Scenario",
    "build_scenario",
    "files_a_demo_would_touch",
    "read_spec",
    "write_demo",
    "write_partner_workbooks",
]
