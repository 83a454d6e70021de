package main

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/helper"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func node(name string, labels map[string]string) *v1.Node {
	return &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

var (
	ecs = node("ecs-0", map[string]string{"pool": "ecs"})
	eci = node("virtual-kubelet-cn-hangzhou-k", map[string]string{"type": "virtual-kubelet"})
	gpu = node("gpu-0", map[string]string{"pool": "gpu"})
)

func pod(name string, created time.Time, labels map[string]string) *v1.Pod {
	if labels == nil {
		labels = map[string]string{"app": "web"}
	}
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: types.UID(name), Labels: labels, CreationTimestamp: metav1.NewTime(created)},
		Spec:       v1.PodSpec{Containers: []v1.Container{{Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("1")}}}}},
	}
}

func ptr[T any](v T) *T { return &v }

func policy(when string, max int32) *Policy {
	spec := Spec{
		Selector: map[string]string{"app": "web"},
		Strategy: StrategyPrefer,
		Units: []Unit{
			{Resource: "ecs", NodeSelector: map[string]string{"pool": "ecs"}, Max: ptr(max)},
			{Resource: "eci"},
		},
	}
	if when != "" {
		spec.WhenTryNextUnits = &WhenTryNextUnits{Policy: when}
	}
	return &Policy{Namespace: "default", Name: "rp", Created: t0, Spec: spec}
}

// placed puts n pods of the policy on a node.
func placed(n int, on *v1.Node, from int) []PlacedPod {
	out := []PlacedPod{}
	for i := 0; i < n; i++ {
		out = append(out, PlacedPod{Pod: pod(on.Name+string(rune('a'+from+i)), t0.Add(time.Minute), nil), Node: on})
	}
	return out
}

func allowed(p *Policy, incoming *v1.Pod, pp []PlacedPod, now time.Time) []bool {
	return p.Allowed(incoming, p.Count(incoming, pp), now)
}

func eq(t *testing.T, what string, got []bool, want ...bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
	}
}

func TestUnitOf(t *testing.T) {
	p := policy("", 2)
	if p.UnitOf(ecs) != 0 || p.UnitOf(eci) != 1 || p.UnitOf(gpu) != 2 {
		t.Fatalf("units: ecs %d eci %d gpu %d", p.UnitOf(ecs), p.UnitOf(eci), p.UnitOf(gpu))
	}
}

func TestLackResourceOrExceedMax(t *testing.T) {
	p := policy("", 2)
	in := pod("new", t0.Add(time.Hour), nil)
	// Below max every unit is open; Score ranks the ECS unit first, so ECI gets the pod only when no ECS node fits.
	eq(t, "below max", allowed(p, in, placed(1, ecs, 0), t0), true, true, true)
	eq(t, "at max", allowed(p, in, placed(2, ecs, 0), t0), false, true, true)
	if !(Rank(0, 2) > Rank(1, 2) && Rank(1, 2) > Rank(2, 2)) {
		t.Fatalf("ranks not in unit order: %d %d %d", Rank(0, 2), Rank(1, 2), Rank(2, 2))
	}
}

func TestExceedMax(t *testing.T) {
	p := policy(PolicyExceedMax, 2)
	in := pod("new", t0.Add(time.Hour), nil)
	// A unit short of resources does not hand over: only the first unit not at max is open.
	eq(t, "below max", allowed(p, in, placed(1, ecs, 0), t0), true, false, false)
	eq(t, "at max", allowed(p, in, placed(2, ecs, 0), t0), false, true, false)
}

func TestTimeoutOrExceedMax(t *testing.T) {
	p := policy(PolicyTimeoutOrExceedMax, 2)
	p.Spec.WhenTryNextUnits.Timeout = &metav1.Duration{Duration: time.Minute}
	in := pod("new", t0, nil)
	eq(t, "waited less than timeout", allowed(p, in, placed(1, ecs, 0), t0.Add(30*time.Second)), true, false, false)
	eq(t, "waited the timeout", allowed(p, in, placed(1, ecs, 0), t0.Add(time.Minute)), true, true, true)
	eq(t, "at max before timeout", allowed(p, in, placed(2, ecs, 0), t0), false, true, false)
	p.Spec.WhenTryNextUnits.Timeout = nil
	eq(t, "default timeout not yet", allowed(p, in, placed(1, ecs, 0), t0.Add(14*time.Minute)), true, false, false)
	eq(t, "default timeout", allowed(p, in, placed(1, ecs, 0), t0.Add(15*time.Minute)), true, true, true)
}

func TestLackResourceAndNoTerminating(t *testing.T) {
	p := policy(PolicyLackResourceAndNoTerminating, 2)
	in := pod("new", t0.Add(time.Hour), nil)
	pp := placed(1, ecs, 0)
	eq(t, "none terminating", allowed(p, in, pp, t0), true, true, true)
	dying := pod("dying", t0, nil)
	dying.DeletionTimestamp = ptr(metav1.NewTime(t0))
	pp = append(pp, PlacedPod{Pod: dying, Node: eci})
	eq(t, "one terminating", allowed(p, in, pp, t0), true, false, false)
}

func TestStrategyRequiredRefusesNodesOutsideUnits(t *testing.T) {
	p := policy("", 2)
	p.Spec.Strategy = StrategyRequired
	p.Spec.Units[1].Max = ptr(int32(1))
	in := pod("new", t0.Add(time.Hour), nil)
	eq(t, "required, room", allowed(p, in, placed(1, ecs, 0), t0), true, true, false)
	full := append(placed(2, ecs, 0), placed(1, eci, 5)...)
	eq(t, "required, all full", allowed(p, in, full, t0), false, false, false)
	p.Spec.Strategy = StrategyPrefer
	eq(t, "prefer, all full", allowed(p, in, full, t0), false, false, true)
}

func TestIgnoreTerminatingPod(t *testing.T) {
	p := policy(PolicyExceedMax, 2)
	in := pod("new", t0.Add(time.Hour), nil)
	pp := placed(1, ecs, 0)
	dying := pod("dying", t0, nil)
	dying.DeletionTimestamp = ptr(metav1.NewTime(t0))
	pp = append(pp, PlacedPod{Pod: dying, Node: ecs})
	// Default (true): the terminating pod does not count, so ECS still has room.
	eq(t, "ignored by default", allowed(p, in, pp, t0), true, false, false)
	p.Spec.IgnoreTerminatingPod = ptr(false)
	eq(t, "counted", allowed(p, in, pp, t0), false, true, false)
}

func TestIgnorePreviousPod(t *testing.T) {
	p := policy(PolicyExceedMax, 2)
	in := pod("new", t0.Add(time.Hour), nil)
	old := []PlacedPod{{Pod: pod("old1", t0.Add(-time.Hour), nil), Node: ecs}, {Pod: pod("old2", t0.Add(-time.Hour), nil), Node: ecs}}
	eq(t, "counted by default", allowed(p, in, old, t0), false, true, false)
	p.Spec.IgnorePreviousPod = true
	eq(t, "ignored", allowed(p, in, old, t0), true, false, false)
}

func TestMatchLabelKeysCountsPerGroup(t *testing.T) {
	p := policy(PolicyExceedMax, 2)
	p.Spec.MatchLabelKeys = []string{"pod-template-hash"}
	v1pods := []PlacedPod{
		{Pod: pod("a", t0, map[string]string{"app": "web", "pod-template-hash": "v1"}), Node: ecs},
		{Pod: pod("b", t0, map[string]string{"app": "web", "pod-template-hash": "v1"}), Node: ecs},
	}
	newRevision := pod("new", t0, map[string]string{"app": "web", "pod-template-hash": "v2"})
	eq(t, "other revision not counted", allowed(p, newRevision, v1pods, t0), true, false, false)
	sameRevision := pod("new1", t0, map[string]string{"app": "web", "pod-template-hash": "v1"})
	eq(t, "same revision counted", allowed(p, sameRevision, v1pods, t0), false, true, false)
}

func TestMaxResources(t *testing.T) {
	p := policy(PolicyExceedMax, 100)
	p.Spec.Units[0].Max = nil
	p.Spec.Units[0].MaxResources = v1.ResourceList{v1.ResourceCPU: resource.MustParse("2")}
	in := pod("new", t0, nil)
	eq(t, "1 of 2 CPU used", allowed(p, in, placed(1, ecs, 0), t0), true, false, false)
	eq(t, "2 of 2 CPU used", allowed(p, in, placed(2, ecs, 0), t0), false, true, false)
}

func TestSelectsOnlyItsNamespaceAndLabels(t *testing.T) {
	p := policy("", 2)
	other := pod("x", t0, map[string]string{"app": "api"})
	elsewhere := pod("y", t0, nil)
	elsewhere.Namespace = "other"
	if p.Selects(other) || p.Selects(elsewhere) || !p.Selects(pod("z", t0, nil)) {
		t.Fatal("selector or namespace not honoured")
	}
}

func prioritized(p *v1.Pod, prio int32) *v1.Pod {
	p.Spec.Priority = ptr(prio)
	return p
}

// fillers puts n pods of another workload at priority prio on a node.
func fillers(n int, on *v1.Node, prio int32) []PlacedPod {
	out := []PlacedPod{}
	for i := 0; i < n; i++ {
		out = append(out, PlacedPod{Pod: prioritized(pod(on.Name+"-filler"+string(rune('a'+i)), t0, map[string]string{"app": "batch"}), prio), Node: on})
	}
	return out
}

// plan is the cycle's Plan for a pod of priority 1000 with the ECS unit full of filler pods at ecsPrio
// and, when eciFull, the ECI unit too (at priority 10).
func plan(p *Policy, ecsPrio int32, eciFull bool, tried int) Plan {
	in := prioritized(pod("new", t0.Add(time.Hour), nil), 1000)
	pp := fillers(2, ecs, ecsPrio)
	if eciFull {
		pp = append(pp, fillers(3, eci, 10)...)
	}
	return p.PreemptPlan(p.Allowed(in, p.Count(in, pp), t0), p.Victims(in, pp), tried)
}

func preempts(t *testing.T, what string, got Plan, want ...int) {
	t.Helper()
	if len(got.Preempt) != len(want) {
		t.Fatalf("%s: preempt in %v, want %v", what, got.Preempt, want)
	}
	for i := range want {
		if got.Preempt[i] != want[i] {
			t.Fatalf("%s: preempt in %v, want %v", what, got.Preempt, want)
		}
	}
}

// Both units open (no max reached: the fillers are not the policy's pods), ECS full of lower-priority pods.
func TestPreemptBeforeNextUnitPreemptsInTheFullUnitFirst(t *testing.T) {
	p := policy("", 2)
	p.Spec.Strategy = StrategyRequired
	p.Spec.PreemptPolicy = PreemptBeforeNextUnit
	got := plan(p, 10, false, 0)
	// Only ECS is admitted: if no ECS node fits, PostFilter preempts there; ECI must wait.
	eq(t, "admitted", got.Admit, true, false, false)
	preempts(t, "preempt", got, 0)
	if !got.Stepwise {
		t.Fatal("BeforeNextUnit must hand over to the next unit when the unit has no victims")
	}
	// Preemption in ECS found no victims (tried up to unit 1): ECI is admitted, and it has nothing to preempt.
	got = plan(p, 10, false, 1)
	eq(t, "after ECS tried", got.Admit, true, true, false)
	preempts(t, "after ECS tried", got)
}

func TestPreemptAfterAllUnitsUsesTheNextUnitFirst(t *testing.T) {
	p := policy("", 2)
	p.Spec.Strategy = StrategyRequired
	p.Spec.PreemptPolicy = PreemptAfterAllUnits
	got := plan(p, 10, false, 0)
	// Every open unit is admitted: with room on ECI the pod lands there and PostFilter never runs.
	eq(t, "admitted", got.Admit, true, true, false)
	preempts(t, "preempt only if nothing fits", got, 0)
	if got.Stepwise {
		t.Fatal("AfterAllUnits preempts in one PostFilter, not step by step")
	}
}

func TestPreemptWhenAllUnitsAreFullBothPoliciesPreemptInUnitOrder(t *testing.T) {
	for _, pol := range []string{PreemptBeforeNextUnit, PreemptAfterAllUnits} {
		p := policy("", 2)
		p.Spec.Strategy = StrategyRequired
		p.Spec.PreemptPolicy = pol
		got := plan(p, 10, true, 0)
		// Both preempt first in ECS, the earlier unit.
		if got.Preempt[0] != 0 {
			t.Fatalf("%s: preempt in %v, want ECS first", pol, got.Preempt)
		}
		if pol == PreemptAfterAllUnits {
			eq(t, pol, got.Admit, true, true, false)
			preempts(t, pol, got, 0, 1)
			continue
		}
		eq(t, pol, got.Admit, true, false, false)
		// ECS had no victims after all (e.g. a PodDisruptionBudget): the next cycle preempts in ECI.
		next := plan(p, 10, true, 1)
		eq(t, pol+" next", next.Admit, true, true, false)
		preempts(t, pol+" next", next, 1)
	}
}

func TestPreemptPolicyDefaultsToAfterAllUnits(t *testing.T) {
	p := policy("", 2)
	p.Spec.Strategy = StrategyRequired
	got := plan(p, 10, false, 0)
	eq(t, "unset", got.Admit, true, true, false)
	preempts(t, "unset", got, 0)
	if got.Stepwise {
		t.Fatal("unset preemptPolicy must behave as AfterAllUnits")
	}
}

func TestPreemptOnlyLowerPriorityPodsAndOpenUnits(t *testing.T) {
	p := policy("", 2)
	p.Spec.Strategy = StrategyRequired
	p.Spec.PreemptPolicy = PreemptBeforeNextUnit
	// Fillers of equal priority are no victims: ECS is passed over as with no preemption at all.
	got := plan(p, 1000, false, 0)
	eq(t, "equal priority", got.Admit, true, true, false)
	preempts(t, "equal priority", got)
	// A pod that may not preempt (preemptionPolicy Never) sees no victims anywhere.
	in := prioritized(pod("new", t0.Add(time.Hour), nil), 1000)
	in.Spec.PreemptionPolicy = ptr(v1.PreemptNever)
	eq(t, "Never", p.Victims(in, fillers(2, ecs, 10)), false, false, false)
	// ECS at its max: closed, so no preemption there either (max counts the policy's own pods).
	pp := append(placed(2, ecs, 0), fillers(1, ecs, 10)...)
	in = prioritized(pod("new", t0.Add(time.Hour), nil), 1000)
	got = p.PreemptPlan(p.Allowed(in, p.Count(in, pp), t0), p.Victims(in, pp), 0)
	eq(t, "ECS at max", got.Admit, false, true, false)
	preempts(t, "ECS at max", got)
	// A terminating victim still counts, so the pod keeps waiting in the unit it preempted in.
	dying := fillers(1, ecs, 10)
	dying[0].Pod.DeletionTimestamp = ptr(metav1.NewTime(t0))
	eq(t, "terminating victim", p.Victims(in, dying), true, false, false)
}

func TestPreemptPreferConsidersNodesOutsideTheUnitsLast(t *testing.T) {
	p := policy("", 2)
	p.Spec.PreemptPolicy = PreemptAfterAllUnits
	in := prioritized(pod("new", t0.Add(time.Hour), nil), 1000)
	pp := append(append(fillers(2, ecs, 10), fillers(1, eci, 10)...), fillers(1, gpu, 10)...)
	got := p.PreemptPlan(p.Allowed(in, p.Count(in, pp), t0), p.Victims(in, pp), 0)
	preempts(t, "prefer", got, 0, 1, 2)
}
// ACK: eci/acs units' pods tolerate the virtual node's taint without declaring it; elsewhere only
// the pod's own tolerations count (judged with the helper upstream's TaintToleration filter uses).
func TestTolerationsImpliedOnlyOnVirtualUnits(t *testing.T) {
	taint := v1.Taint{Key: virtualNodeTaintKey, Value: "alibabacloud", Effect: v1.TaintEffectNoSchedule}
	tainted := eci.DeepCopy()
	tainted.Spec.Taints = []v1.Taint{taint}
	blocked := func(p *Policy, q *v1.Pod, n *v1.Node) bool {
		_, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), n.Spec.Taints, p.Tolerations(q, n), helper.DoNotScheduleTaintsFilterFunc(), false)
		return untolerated
	}
	q := pod("p", t0, nil)
	if blocked(policy("", 2), q, tainted) {
		t.Fatal("a pod of an eci unit is kept off the virtual node")
	}
	if len(q.Spec.Tolerations) != 0 {
		t.Fatalf("the pod's spec was changed: %v", q.Spec.Tolerations)
	}
	// No eci unit: the virtual node is outside every unit and the pod does not tolerate it.
	ecsOnly := policy("", 2)
	ecsOnly.Spec.Units = ecsOnly.Spec.Units[:1]
	if !blocked(ecsOnly, q, tainted) {
		t.Fatal("a pod without an eci unit or a toleration went onto the virtual node")
	}
	// Another taint on the virtual node is not the policy's to tolerate.
	other := tainted.DeepCopy()
	other.Spec.Taints = append(other.Spec.Taints, v1.Taint{Key: "dedicated", Value: "gpu", Effect: v1.TaintEffectNoSchedule})
	if !blocked(policy("", 2), q, other) {
		t.Fatal("an unrelated taint was tolerated")
	}
	// An ECS node's taints are judged on the pod's own tolerations.
	taintedECS := ecs.DeepCopy()
	taintedECS.Spec.Taints = []v1.Taint{taint}
	if !blocked(policy("", 2), q, taintedECS) {
		t.Fatal("the virtual node's taint was tolerated on an ECS unit's node")
	}
	own := pod("own", t0, nil)
	own.Spec.Tolerations = []v1.Toleration{{Key: virtualNodeTaintKey, Operator: v1.TolerationOpExists}}
	if blocked(ecsOnly, own, tainted) {
		t.Fatal("the pod's own toleration was not honoured")
	}
}
