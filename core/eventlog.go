package core

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"hash"
)

// eventLog hashes the event log's bytes for the report's events_sha256. SHA-256 costs more than
// the simulation itself on machines without SHA instructions, so whole chunks of the log are
// hashed on another goroutine, in order; the engine goroutine only appends lines.
type eventLog struct {
	count uint64
	line  []byte // the line being encoded
	chunk []byte // lines not yet handed to the hasher
	work  chan []byte
	free  chan []byte
	done  chan string
	h     hash.Hash
	sum   string // set once closed
}

const logChunk = 256 << 10

func newEventLog() *eventLog {
	l := &eventLog{h: sha256.New(), chunk: make([]byte, 0, logChunk)}
	return l
}

// addRecord appends the event's binary record (Event.appendRecord) to a log of records.
func (l *eventLog) addRecord(ev *Event) {
	l.chunk = ev.appendRecord(l.chunk)
	if len(l.chunk) >= logChunk-512 {
		l.handOff()
	}
}

// state is the hash's state (as ResumeState keeps it), after everything added so far.
func (l *eventLog) state() ([]byte, error) {
	l.sha256() // drain the hasher so its state is complete
	return l.h.(encoding.BinaryMarshaler).MarshalBinary()
}

// add appends a finished line (with its newline) to the log.
func (l *eventLog) add(line []byte) {
	l.chunk = append(l.chunk, line...)
	if len(l.chunk) >= logChunk-512 {
		l.handOff()
	}
}

func (l *eventLog) handOff() {
	if l.work == nil {
		l.work = make(chan []byte, 4)
		if l.free == nil { // kept across restarts (sha256 drains the hasher at every save)
			l.free = make(chan []byte, 5)
			for i := 0; i < 4; i++ {
				l.free <- make([]byte, 0, logChunk)
			}
			l.done = make(chan string, 1)
		}
		go l.hasher()
	}
	l.work <- l.chunk
	l.chunk = (<-l.free)[:0]
}

func (l *eventLog) hasher() {
	h := l.h
	for c := range l.work {
		h.Write(c)
		l.free <- c
	}
	l.done <- ""
}

// sha256 returns the hex digest of everything logged so far without ending the log: the digest
// state is copied, so the log can go on (the console shows it live).
func (l *eventLog) sha256() string {
	if l.work != nil {
		// Drain the hasher: close and restart it, so later lines keep their order.
		close(l.work)
		<-l.done
		l.work = nil
	}
	if len(l.chunk) > 0 {
		l.h.Write(l.chunk)
		l.chunk = l.chunk[:0]
	}
	return hex.EncodeToString(l.h.Sum(nil))
}
