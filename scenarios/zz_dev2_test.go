package scenarios

import (
	"fmt"
	"os"
	"testing"
)

func TestDevBad(t *testing.T) {
	dir := os.Getenv("IXLB_BAD")
	if dir == "" {
		t.Skip()
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, _ := os.ReadFile(dir + "/" + e.Name())
		_, err := Parse(e.Name(), b)
		fmt.Printf("== %s\n%v\n", e.Name(), err)
	}
}
