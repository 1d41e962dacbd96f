// `rank-sources`: the command is RankSources (ToolOptions/Tools/RankSources.swift).
import ToolOptions

ToolMain.run(RankSources.self)
