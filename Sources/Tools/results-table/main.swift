// `results-table`: the command is ResultsTable (ToolOptions/Tools/ResultsTable.swift).
import ToolOptions

ToolMain.run(ResultsTable.self)
