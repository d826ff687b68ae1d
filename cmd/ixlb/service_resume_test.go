//go:build cgo

package main

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Impatient customers survive kills: a paced run of the service-level scenario (customers
// abandoning all along) SIGKILLed at random moments and rerun ends with the uninterrupted run's
// event log and service figures — abandoned rows, closed in the database, included.
func TestKillAndCompareWithPatience(t *testing.T) {
	whole := reportOf(t, "run", "service-level", "--json")
	if whole.Service["_all"].Abandoned == 0 {
		t.Fatal("the scenario abandons nothing: the test would prove nothing")
	}
	data := filepath.Join(t.TempDir(), "data")
	// One virtual hour in about five seconds, so the kills land inside it.
	args := []string{"run", "service-level", "--data", data, "--speed", "720", "--no-progress", "--json"}
	rng := rand.New(rand.NewPCG(11, 7))
	for kills := 0; kills < 8; kills++ {
		cmd := exec.Command(ixlbBin, args...)
		cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			t.Fatalf("run ended by itself after %d kills (%v); slow it down\n%s", kills, err, cmd.Stderr)
		case <-time.After(time.Duration(50+rng.IntN(300)) * time.Millisecond):
			cmd.Process.Kill()
			<-done
		}
	}
	got := reportOf(t, args...)
	if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
		t.Fatalf("after the kills: %d events %.12s %+v; uninterrupted %d events %.12s %+v",
			got.Events, got.EventsSHA256, got.Interactions, whole.Events, whole.EventsSHA256, whole.Interactions)
	}
	if !reflect.DeepEqual(got.Service, whole.Service) || !reflect.DeepEqual(got.Occupancy, whole.Occupancy) {
		t.Fatalf("service figures after the kills %+v, uninterrupted %+v", got.Service, whole.Service)
	}
}
