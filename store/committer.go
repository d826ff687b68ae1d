package store

import "sync"

// committer runs one file's commits on a goroutine of its own, so that the engine's goroutine only
// fills batches while SQLite works on the other core.
//
// It pulls rather than being pushed: a producer asks for a commit (request) and goes on; when the
// committer is free it takes the whole pending batch, including what was accepted since the
// request. So when SQLite falls behind, batches grow and coalesce more (an interaction's rows of
// two requests become one SQLite write), and when it keeps up, every request is committed
// promptly. The pending batch is bounded by its owner (backpressure), so a file holds at most the
// batch being filled and the one being committed.
//
// The counters are guarded by the owning file's mutex (mu), which also guards the pending batch:
// taking the batch and counting it are one step. Tickets: the rows accepted before a request are
// in the batch taken next; once done reaches that batch's number, they are committed (or failed).
type committer struct {
	mu       *sync.Mutex
	work     sync.Cond // the committer waits for a request
	progress sync.Cond // producers wait for a take (room in the batch) or a commit (a ticket)
	want     uint64    // the batch number a commit was requested up to
	taken    uint64    // batches taken
	done     uint64    // batches finished, committed or failed
	err      error     // the last finished commit's error: nil means everything taken is in the file
	unseen   bool      // err is reported by no call yet
	stopping bool
	exit     chan struct{}

	// take swaps the pending batch for an empty one and returns the commit of what it took. It
	// runs on the committer goroutine with mu held; the commit runs without.
	take func() func() error
}

func (c *committer) start(mu *sync.Mutex, take func() func() error) {
	c.mu, c.take = mu, take
	c.work.L, c.progress.L = mu, mu
	c.exit = make(chan struct{})
	go c.loop()
}

func (c *committer) loop() {
	defer close(c.exit)
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for c.want <= c.taken && !c.stopping {
			c.work.Wait()
		}
		if c.want <= c.taken {
			return // stopping, and nothing asked for
		}
		commit := c.take()
		c.taken++
		c.progress.Broadcast()
		c.mu.Unlock()
		err := commit()
		c.mu.Lock()
		c.done++
		c.err = err
		c.unseen = err != nil
		c.progress.Broadcast()
	}
}

// request asks for the pending batch to be committed and returns its ticket. pending says whether
// there is anything to take; a failed commit is always retried. mu held.
func (c *committer) request(pending bool) uint64 {
	if !pending && c.err == nil {
		return c.taken // everything accepted is in batches already taken
	}
	if c.want <= c.taken {
		c.want = c.taken + 1
		c.work.Signal()
	}
	return c.want
}

// wait blocks until batch t has finished and returns the last finished commit's error: nil when
// everything taken so far is in the file. (A later batch may have failed after batch t made it;
// reporting it errs on the safe side.) With seen the caller reports the error, so the next Write
// does not. mu held.
func (c *committer) wait(t uint64, seen bool) error {
	for c.done < t {
		c.progress.Wait()
	}
	if seen {
		c.unseen = false
	}
	return c.err
}

// waitTaken blocks until the committer has taken the pending batch: the producer's backpressure.
// mu held.
func (c *committer) waitTaken() {
	t := c.request(true)
	for c.taken < t {
		c.progress.Wait()
	}
}

// idle blocks until nothing is taken or asked for: the committer does not touch the file until
// the next request, which needs mu. mu held.
func (c *committer) idle() {
	for c.done < c.taken || c.want > c.taken {
		c.progress.Wait()
	}
}

// takeUnseen returns a failure of a background commit that no call has reported yet, once. mu
// held.
func (c *committer) takeUnseen() error {
	if !c.unseen {
		return nil
	}
	c.unseen = false
	return c.err
}

// stop commits what was asked for and ends the goroutine. mu not held.
func (c *committer) stop() {
	if c.exit == nil {
		return
	}
	c.mu.Lock()
	c.stopping = true
	c.work.Signal()
	c.mu.Unlock()
	<-c.exit
}
