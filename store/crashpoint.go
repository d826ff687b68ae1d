package store

// Durable points. Every place the store makes something durable is a numbered point: the data
// directory's and a file's creation, each statement of a write transaction (an interactions
// upsert of up to 16 rows, an event chunk, the operator actions, the run state), and each
// COMMIT. A crash can only fall between two of them, so walking them all — stopping the process
// at the Nth, or failing the Nth write as a full or failing disk would — tries every state a
// crash or a write error can leave on disk, instead of sampling moments at random.
//
// The walk is built in only with the build tag ixlb_crashpoints (crashpoint_on.go); in ixlb
// itself point is a no-op the compiler removes.

// pointKind says what a durable point makes durable.
type pointKind uint8

const (
	pointCreate    pointKind = iota // a file or directory created
	pointStatement                  // a statement of a write transaction
	pointCommit                     // a COMMIT
)

func (k pointKind) String() string {
	switch k {
	case pointCreate:
		return "create"
	case pointStatement:
		return "statement"
	case pointCommit:
		return "commit"
	}
	return "point"
}

// Point marks a durable point for code outside the store that makes something durable in a data
// directory (the lock file): path is what it is about to write.
func Point(path string) error { return point(pointCreate, path) }
