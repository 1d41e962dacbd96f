// `compare-runs`: the command is CompareRuns (ToolOptions/Tools/CompareRuns.swift).
import ToolOptions

ToolMain.run(CompareRuns.self)
