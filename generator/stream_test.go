package generator_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// roomLife is what a property test remembers of a room.
type roomLife struct {
	created, destroyed bool
	lastEventTime      int64
	admins             []string
	owner              string
}

// checkStream reads a whole stream and checks every rule the real backend keeps.
func checkStream(t *testing.T, seed int64, tr generator.Traffic) (events, rooms int) {
	t.Helper()
	g := NewWithT(t)
	s, err := generator.New(seed).Stream(tr)
	g.Expect(err).NotTo(HaveOccurred())
	lives := map[string]*roomLife{}
	var last time.Time
	for i := 0; ; i++ {
		g.Expect(i).To(BeNumerically("<", 1_000_000), "the stream does not end")
		ev, ok := s.Next()
		if !ok {
			break
		}
		events++
		g.Expect(ev.Seq).To(Equal(uint64(events)))
		g.Expect(ev.At).NotTo(BeTemporally("<", last), "events come out in time order")
		last = ev.At
		body, err := webhook.Encode(ev.Event)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(webhook.ValidateBody(ev.Event.Command(), body)).To(Succeed(), "%s", body)
		id := ev.Event.Room()
		r := lives[id]
		switch e := ev.Event.(type) {
		case *webhook.CreateRoom:
			g.Expect(r).To(BeNil(), "room %s is created twice", id)
			r = &roomLife{created: true, owner: e.RoomInfo.OwnerAccount.ID}
			lives[id] = r
			rooms++
			g.Expect(e.RoomInfo.CreateTime).To(Equal(e.EventTime/1000), "CreateTime is the creation instant")
			g.Expect(len(id)).To(BeNumerically("<=", webhook.MaxRoomIDBytes))
			g.Expect(webhook.Platforms).To(ContainElement(ev.Meta.OptPlatform))
		case *webhook.ModifyAdmin:
			g.Expect(r).NotTo(BeNil(), "room %s is changed before its creation", id)
			g.Expect(r.destroyed).To(BeFalse(), "room %s is changed after its destruction", id)
			g.Expect(e.AdminAccount).NotTo(BeEmpty())
			if e.OpType == webhook.OpTypeAdd {
				for _, a := range e.AdminAccount {
					g.Expect(r.admins).NotTo(ContainElement(a))
					g.Expect(a).NotTo(Equal(r.owner))
				}
				r.admins = append(r.admins, e.AdminAccount...)
				g.Expect(len(r.admins)).To(BeNumerically("<=", webhook.MaxAdmins))
			} else {
				for _, a := range e.AdminAccount {
					g.Expect(r.admins).To(ContainElement(a), "only current admins are deleted")
				}
				r.admins = slices.DeleteFunc(r.admins, func(a string) bool { return slices.Contains(e.AdminAccount, a) })
			}
		case *webhook.DestroyRoom:
			g.Expect(r).NotTo(BeNil(), "room %s is destroyed before its creation", id)
			g.Expect(r.destroyed).To(BeFalse(), "room %s is destroyed twice", id)
			r.destroyed = true
			if e.EventType == webhook.DestroyBySystem {
				g.Expect(e.OperatorAccount).To(Equal(webhook.SystemAccount))
				g.Expect(e.Statistic).To(BeNil())
				g.Expect(e.RoomInfo.RoomId).To(Equal(id))
			} else {
				g.Expect(e.OperatorAccount).To(Equal(r.owner))
				st := e.Statistic
				g.Expect(st.TotalUniqueGiftSenders).To(BeNumerically("<=", st.TotalGiftsSent))
				g.Expect(st.TotalGiftsSent).To(BeNumerically("<=", st.TotalGiftCoins))
				g.Expect(st.TotalUniqueGiftSenders).To(BeNumerically("<=", st.TotalViewers))
			}
		}
		g.Expect(ev.Event.Time()).To(BeNumerically(">=", r.lastEventTime), "EventTime never goes backwards within a room")
		r.lastEventTime = ev.Event.Time()
	}
	for id, r := range lives {
		g.Expect(r.destroyed).To(BeTrue(), "room %s never closes", id)
	}
	return events, rooms
}

func TestStreamKeepsTheRulesOverManySeeds(t *testing.T) {
	for seed := range int64(40) {
		events, rooms := checkStream(t, seed, generator.Traffic{Rooms: 60, Rate: 0.2})
		NewWithT(t).Expect(rooms).To(Equal(60))
		NewWithT(t).Expect(events).To(BeNumerically(">=", 120))
	}
	// Busy rooms, many admin changes, all dissolved by the system.
	checkStream(t, 99, generator.Traffic{Rooms: 200, Rate: 5, AdminChangesPerHour: 60, MedianLife: 2 * time.Hour, SystemShare: 1})
}

func TestStreamByDuration(t *testing.T) {
	g := NewWithT(t)
	_, rooms := checkStream(t, 3, generator.Traffic{Duration: time.Hour, Rate: 0.1})
	// 360 expected in an hour at 0.1/s; a Poisson count stays well within ±25%.
	g.Expect(rooms).To(BeNumerically("~", 360, 90))
}

func TestSameSeedSameBytes(t *testing.T) {
	g := NewWithT(t)
	dump := func(seed int64) []byte {
		s, err := generator.New(seed).Stream(generator.Traffic{Rooms: 100})
		g.Expect(err).NotTo(HaveOccurred())
		var b bytes.Buffer
		for ev, ok := s.Next(); ok; ev, ok = s.Next() {
			body, err := webhook.Encode(ev.Event)
			g.Expect(err).NotTo(HaveOccurred())
			b.WriteString(ev.At.String() + " " + ev.Meta.ClientIP + " " + ev.Meta.OptPlatform + " ")
			b.Write(body)
			b.WriteByte('\n')
		}
		return b.Bytes()
	}
	g.Expect(dump(11)).To(Equal(dump(11)))
	g.Expect(dump(11)).NotTo(Equal(dump(12)))
}

func TestMemoryFollowsOpenRoomsNotClosedOnes(t *testing.T) {
	g := NewWithT(t)
	// At 2 rooms/s living at most 10 minutes, at most about 1,200 are open at once.
	s, err := generator.New(5).Stream(generator.Traffic{Rooms: 50_000, Rate: 2, MaxLife: 10 * time.Minute})
	g.Expect(err).NotTo(HaveOccurred())
	peak := 0
	for _, ok := s.Next(); ok; _, ok = s.Next() {
		peak = max(peak, s.Active())
	}
	g.Expect(s.Opened()).To(Equal(50_000))
	g.Expect(peak).To(BeNumerically("<", 1_500))
	g.Expect(s.Active()).To(BeZero())
}

func TestWallClock(t *testing.T) {
	g := NewWithT(t)
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := generator.New(1).Stream(generator.Traffic{Rooms: 5, Clock: generator.WallClock(generator.DefaultStart, wall, 60)})
	g.Expect(err).NotTo(HaveOccurred())
	for ev, ok := s.Next(); ok; ev, ok = s.Next() {
		want := wall.Add(ev.At.Sub(generator.DefaultStart) / 60)
		g.Expect(ev.Event.Time()).To(Equal(want.UnixMilli()))
	}
}

func TestTrafficValidation(t *testing.T) {
	g := NewWithT(t)
	for _, tr := range []generator.Traffic{
		{Rooms: -1}, {Rate: -1}, {SystemShare: 2}, {MinLife: time.Hour, MaxLife: time.Minute},
	} {
		_, err := generator.New(1).Stream(tr)
		g.Expect(err).To(HaveOccurred(), "%+v", tr)
	}
}

func BenchmarkStream(b *testing.B) {
	s, err := generator.New(1).Stream(generator.Traffic{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Next(); !ok {
			b.Fatal("the stream ended")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(s.Active()), "open-rooms")
}

func BenchmarkStreamEncoded(b *testing.B) {
	s, err := generator.New(1).Stream(generator.Traffic{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ev, _ := s.Next()
		if _, err := webhook.Encode(ev.Event); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
