package core

// TrendSample is what the console's charts plot, read at one virtual instant: cheap to take (no
// allocation once its slices have room), so it can be taken every virtual second however fast
// the clock runs. Samples taken at the same instants of the same session are equal whether the
// session runs live, is rewound or is reopened: the charts are part of the world, not of the
// screen's refreshes.
type TrendSample struct {
	T            int64   // virtual nanoseconds
	URSSubmitted []int64 // submissions each URS received so far, in Snapshot.URS order
	URSRunning   []bool  // whether each URS runs
	Queued       int64   // interactions waiting in queues
	Busy         int64   // agents holding at least one interaction or reservation
}

// Sample fills s with the engine's figures now, reusing its slices.
func (e *Engine) Sample(s *TrendSample) {
	s.T = e.now
	s.URSSubmitted = s.URSSubmitted[:0]
	s.URSRunning = s.URSRunning[:0]
	for _, u := range e.urs {
		s.URSSubmitted = append(s.URSSubmitted, u.submitted)
		s.URSRunning = append(s.URSRunning, u.app.running)
	}
	s.Queued = 0
	for i := range e.queues {
		s.Queued += e.queues[i].counts[StateQueued]
	}
	s.Busy = 0
	nm := len(e.media)
	for a := 0; a < e.nAgents; a++ {
		for m := 0; m < nm; m++ {
			if e.am[a*nm+m].load > 0 {
				s.Busy++
				break
			}
		}
	}
}
