// Package clock is the time shardflow's actors read and wait on: the real
// clock in production, and Fake, a clock a test moves by hand, so that
// timers (paced polls, progress reports, discovery rounds) and backoff
// sleeps run in a unit spec without the spec sleeping.
//
// An actor takes its clock from its configuration (shardactor.Env.Clock,
// coordinator.Config.Clock; nil is Real) and hands it to actors.Timers and
// actors.Beside; work running beside the actor finds it in its context
// (From), which is how backoff.SleepFor waits on it without every retry
// loop taking a clock argument.
//
// It is not a scheduler and measures nothing: it only says what time it is
// and runs a function once a duration has passed.
package clock
