package core

import "testing"

// One value, spelled many ways, is one value: what `:set` compares with the value an option has,
// and what it records (attack 21 F3).
func TestOptionValuesSameAndCanonical(t *testing.T) {
	cases := []struct {
		o          Opt
		a, b       string
		same       bool
		canonicalA string
	}{
		{OptAgentReservation, "TRUE", "true", true, "true"},
		{OptAgentReservation, " yes ", "1", true, "true"},
		{OptAgentReservation, "on", "false", false, "true"},
		{OptAgentReservation, "Off", "no", true, "false"},
		{OptAgentReservation, "maybe", "maybe", false, ""},
		{OptMaxSubmittedInteractions, "007", "7", true, "7"},
		{OptMaxSubmittedInteractions, "+5", "6", false, "5"},
		{OptDeliveringTimeout, "30", "30s", true, "30"},
		{OptDeliveringTimeout, "30", "0.5m", true, "30"},
		{OptRoutingTimeout, "60", "1h", true, "60"},
		{OptRoutingTimeout, "60", "60s", false, "60"},
		{OptMaxSubmissionRate, "10/second", "600/minute", true, "10/second"},
		{OptMaxSubmissionRate, "10", "10/second", true, "10"},
		{OptMaxSubmissionRate, "10", "11", false, "10"},
	}
	for _, c := range cases {
		if got := c.o.Same(c.a, c.b); got != c.same {
			t.Errorf("%s: Same(%q, %q) = %v", c.o, c.a, c.b, got)
		}
		got, ok := c.o.Canonical(c.a)
		if got != c.canonicalA || ok != (c.canonicalA != "") {
			t.Errorf("%s: Canonical(%q) = %q, %v; want %q", c.o, c.a, got, ok, c.canonicalA)
		}
	}
}

// Snapshot.Settings is the options as set now: the scenario's, then each set; a snapshot taken
// before a set keeps what it showed.
func TestSnapshotSettings(t *testing.T) {
	cfg := seedConfig()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	before := e.Snapshot()
	if v, ok := before.Setting("URS_1", "default", "agent_reservation"); !ok || v != "true" {
		t.Fatalf("URS_1 default/agent_reservation as the scenario sets it: %q, %v", v, ok)
	}
	for _, a := range []Action{
		{Kind: ActSetOption, App: "URS_1", Section: "default", Option: "agent_reservation", Value: "false"},
		{Kind: ActSetOption, App: "URS_2", Section: "annex:IxnServer", Option: "max-submitted-interactions", Value: "5"},
	} {
		if err := e.Apply(a); err != nil {
			t.Fatal(err)
		}
	}
	after := e.Snapshot()
	if v, ok := after.Setting("URS_1", "default", "agent_reservation"); !ok || v != "false" {
		t.Fatalf("URS_1 default/agent_reservation: %q, %v", v, ok)
	}
	if v, ok := after.Setting("URS_2", "annex:IxnServer", "max-submitted-interactions"); !ok || v != "5" {
		t.Fatalf("URS_2 annex:IxnServer/max-submitted-interactions: %q, %v", v, ok)
	}
	if v, _ := before.Setting("URS_1", "default", "agent_reservation"); v != "true" {
		t.Fatal("a snapshot taken before the set changed")
	}
}
