package core

import (
	"encoding/json"
	"testing"
)

func TestSmoke(t *testing.T) {
	e, err := New(seedConfig())
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(e.cfg.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(r, "", " ")
	t.Logf("%s", b)
}
