package backoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/shardflow/shardflow/backoff"
)

func TestCeilingGrowsByExpConstUpToMax(t *testing.T) {
	p := backoff.Policy{Base: 300 * time.Millisecond, Max: time.Second, ExpConst: 1.5}
	want := []time.Duration{300 * time.Millisecond, 450 * time.Millisecond, 675 * time.Millisecond, time.Second, time.Second}
	for i, w := range want {
		if got := p.Ceiling(i); got != w {
			t.Errorf("Ceiling(%d) = %v, want %v", i, got, w)
		}
	}
}

func TestDelayIsJitteredBelowTheCeiling(t *testing.T) {
	p := backoff.Policy{Base: 100 * time.Millisecond, Max: time.Second, ExpConst: 2}
	seen := map[time.Duration]bool{}
	for i := 0; i < 200; i++ {
		d := p.Delay(2)
		if d < 0 || d >= 400*time.Millisecond {
			t.Fatalf("Delay(2) = %v, want within [0, 400ms)", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("200 delays took only %d distinct values: not jittered", len(seen))
	}
}

func TestSleepReturnsWhenTheContextIsCancelled(t *testing.T) {
	p := backoff.Policy{Base: time.Hour, Max: time.Hour, ExpConst: 1}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Sleep(ctx, 0); err != context.Canceled {
		t.Fatalf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
}
