// `project`: the command is Project (ToolOptions/Tools/Project.swift).
import ToolOptions

ToolMain.run(Project.self)
