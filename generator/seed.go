package generator

import "math/rand/v2"

// MaxPickedSeed bounds the seeds PickSeed draws, so that a printed seed stays short to type.
const MaxPickedSeed = 1_000_000_000

// PickSeed returns seed, or a random seed from 1 to MaxPickedSeed−1 when seed is 0: "0 picks
// one" everywhere a seed is taken, and the seed picked is a real one that can be printed and
// given back to repeat the run.
func PickSeed(seed int64) int64 {
	if seed != 0 {
		return seed
	}
	return 1 + rand.Int64N(MaxPickedSeed-1)
}
