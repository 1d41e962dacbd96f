// `embed`: the command is Embed (ToolOptions/Tools/Embed.swift).
import ToolOptions

ToolMain.run(Embed.self)
