// `inspect-prompt`: the command is InspectPrompt (ToolOptions/Tools/InspectPrompt.swift).
import ToolOptions

ToolMain.run(InspectPrompt.self)
