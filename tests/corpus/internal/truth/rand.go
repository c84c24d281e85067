package truth

import (
	"math"
	"math/rand"
	"sync"
	"time"
)

// Rand is a goroutine-safe random source whose seeding does not depend on
// the Go version (the global source is seeded differently since 1.20).
type Rand struct {
	mu sync.Mutex
	r  *rand.Rand
}

// newRand seeds a Rand with seed, or from the clock when seed is 0.
func newRand(seed int64) *Rand {
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	return &Rand{r: rand.New(rand.NewSource(seed))}
}

// Float64 draws from [0, 1).
func (l *Rand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// Intn draws from [0, n); n must be positive.
func (l *Rand) Intn(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Intn(n)
}

// Chance is true with probability p.
func (l *Rand) Chance(p float64) bool { return l.Float64() < p }

// Lognormal draws a duration whose logarithm is normal with the given
// median and standard deviation.
func (l *Rand) Lognormal(median time.Duration, sigma float64) time.Duration {
	l.mu.Lock()
	z := l.r.NormFloat64()
	l.mu.Unlock()
	return time.Duration(float64(median) * math.Exp(sigma*z))
}

// Uniform draws a duration from [lo, hi).
func (l *Rand) Uniform(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(l.Float64()*float64(hi-lo))
}
