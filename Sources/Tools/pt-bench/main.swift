// `pt-bench`: the command is Bench (ToolOptions/Tools/Bench.swift).
import ToolOptions

ToolMain.run(Bench.self)
