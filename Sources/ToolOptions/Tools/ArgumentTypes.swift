// Library types that tools take as option values.
import ArgumentParser
import Pipelines
import Transfer
import Tuning

extension EmbedRun.Pool: ExpressibleByArgument {}
extension Readout.Kind: ExpressibleByArgument {}
extension ProjectTrainRun.Objective: ExpressibleByArgument {}
extension Projector.Activation: ExpressibleByArgument {}
