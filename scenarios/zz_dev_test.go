package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/ixlb/ixlb/core"
)

func TestDevReport(t *testing.T) {
	name := os.Getenv("IXLB_DEV")
	if name == "" {
		t.Skip()
	}
	s, err := Resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	var sink *devSink
	var opts []core.Option
	if os.Getenv("IXLB_EVENTS") != "" {
		sink = &devSink{}
		opts = append(opts, core.WithSink(sink))
	}
	e, err := core.New(s.Config, opts...)
	if err != nil {
		t.Fatal(err)
	}
	e.RunUntil(int64(s.Config.Duration))
	r, err := e.Report()
	if err != nil {
		t.Fatal(err)
	}
	r.Expectations = Evaluate(s.Expect, r)
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(b))
}

type devSink struct{}

func (d *devSink) Event(ev *core.Event, line []byte) { fmt.Println(string(line)) }
