//go:build cgo

package main

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
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
	killRepeatedly(t, args, 8, 50, 300, rand.New(rand.NewPCG(11, 7)))
	got := reportOf(t, args...)
	if got.EventsSHA256 != whole.EventsSHA256 || got.Interactions != whole.Interactions {
		t.Fatalf("after the kills: %d events %.12s %+v; uninterrupted %d events %.12s %+v",
			got.Events, got.EventsSHA256, got.Interactions, whole.Events, whole.EventsSHA256, whole.Interactions)
	}
	if !reflect.DeepEqual(got.Service, whole.Service) || !reflect.DeepEqual(got.Occupancy, whole.Occupancy) {
		t.Fatalf("service figures after the kills %+v, uninterrupted %+v", got.Service, whole.Service)
	}
}
