// `tokenize`: the command is Tokenize (ToolOptions/Tools/Tokenize.swift).
import ToolOptions

ToolMain.run(Tokenize.self)
