package scenarios

import (
	"slices"
	"strconv"
)

// Index maps the paths of a scenario's nodes to their positions in the file, for diagnostics made
// after the load (the lint pass). A path is the dotted chain of mapping keys and sequence indexes
// from the top of the document, as the format spells them:
//
//	applications.URS_1.options
//	strategies.A.activated_on.0
//	strategies.C.steps.0.esp.via
//	timeline.3.set.database
//
// Names are used as written; a name that itself contains a dot still works as long as it does not
// make two paths identical. Only nodes the format defines are indexed: the file loaded, so those
// are all of them. A node reached through a YAML alias has the position of its anchor's content,
// except the aliased node itself, which has the alias's position.
type Index struct {
	nodes map[string]located
}

// located is where a node is: the key that names it (zero for a sequence item) and its value.
type located struct {
	key, value Pos
}

func newIndex() *Index { return &Index{nodes: map[string]located{}} }

func (ix *Index) add(path string, key, value Pos) {
	if _, dup := ix.nodes[path]; dup {
		return // the first occurrence wins, as the decoder keeps the first of duplicate keys
	}
	ix.nodes[path] = located{key: key, value: value}
}

// Pos is where a lint finding about the node at path should point: its key for a mapping entry
// (`options:` for "applications.URS_1.options"), the item itself for a sequence item.
func (ix *Index) Pos(path string) (Pos, bool) {
	l, ok := ix.nodes[path]
	if !ok {
		return Pos{}, false
	}
	if l.key.IsValid() {
		return l.key, true
	}
	return l.value, true
}

// ValuePos is the position of the node's value: `URS_1` in `stop: URS_1`, the first key of a block
// mapping, `[` of a flow sequence.
func (ix *Index) ValuePos(path string) (Pos, bool) {
	l, ok := ix.nodes[path]
	return l.value, ok
}

// Paths lists every indexed path in file order (by position, then path).
func (ix *Index) Paths() []string {
	paths := make([]string, 0, len(ix.nodes))
	for p := range ix.nodes {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, func(a, b string) int {
		if c := ix.nodes[a].first().compare(ix.nodes[b].first()); c != 0 {
			return c
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	return paths
}

func (l located) first() Pos {
	if l.key.IsValid() {
		return l.key
	}
	return l.value
}

// join appends a mapping key to a path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// item appends a sequence index to a path.
func item(path string, i int) string { return join(path, strconv.Itoa(i)) }
