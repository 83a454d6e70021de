package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// eci keeps pods in memory; nothing runs. Status changes reach the pod controller through notify.
type eci struct {
	mu          sync.Mutex
	pods        map[string]*corev1.Pod
	notify      func(*corev1.Pod)
	latency     time.Duration
	failureRate float64
	seq         uint32
}

func newECI(latency time.Duration, failureRate float64) *eci {
	return &eci{pods: map[string]*corev1.Pod{}, latency: latency, failureRate: failureRate, notify: func(*corev1.Pod) {}}
}

func key(ns, name string) string { return ns + "/" + name }

func (e *eci) NotifyPods(_ context.Context, f func(*corev1.Pod)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.notify = f
}

func (e *eci) CreatePod(_ context.Context, pod *corev1.Pod) error {
	p := pod.DeepCopy()
	now := metav1.Now()
	p.Status = corev1.PodStatus{Phase: corev1.PodPending, StartTime: &now, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now}}}
	e.mu.Lock()
	e.pods[key(p.Namespace, p.Name)] = p
	e.mu.Unlock()
	time.AfterFunc(e.latency, func() { e.start(p.Namespace, p.Name) })
	return nil
}

// start ends the simulated ECI instance creation: Running and Ready, or Failed for no inventory.
func (e *eci) start(ns, name string) {
	e.mu.Lock()
	p, ok := e.pods[key(ns, name)]
	if !ok {
		e.mu.Unlock()
		return
	}
	p = p.DeepCopy()
	now := metav1.Now()
	if fails(ns, name, e.failureRate) {
		p.Status.Phase = corev1.PodFailed
		p.Status.Reason = "ECIInventoryShortage"
		p.Status.Message = "the specified instance type is out of stock in this zone (mock ECI)"
	} else {
		e.seq++
		p.Status.Phase = corev1.PodRunning
		p.Status.PodIP = fmt.Sprintf("172.30.%d.%d", (e.seq/250)%250, e.seq%250+1)
		p.Status.Conditions = append(p.Status.Conditions,
			corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionTrue, LastTransitionTime: now},
			corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: now})
		for _, c := range p.Spec.Containers {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, Ready: true, Started: ptr(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			})
		}
	}
	e.pods[key(ns, name)] = p
	notify := e.notify
	e.mu.Unlock()
	notify(p.DeepCopy())
}

func ptr[T any](v T) *T { return &v }

func (e *eci) UpdatePod(_ context.Context, pod *corev1.Pod) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.pods[key(pod.Namespace, pod.Name)]; ok {
		p := pod.DeepCopy()
		p.Status = old.Status
		e.pods[key(pod.Namespace, pod.Name)] = p
	}
	return nil
}

func (e *eci) DeletePod(_ context.Context, pod *corev1.Pod) error {
	e.mu.Lock()
	p, ok := e.pods[key(pod.Namespace, pod.Name)]
	delete(e.pods, key(pod.Namespace, pod.Name))
	notify := e.notify
	e.mu.Unlock()
	if !ok {
		return errdefs.NotFound("pod not found")
	}
	p = p.DeepCopy()
	p.Status.Phase = corev1.PodSucceeded
	for i := range p.Status.ContainerStatuses {
		p.Status.ContainerStatuses[i].Ready = false
		p.Status.ContainerStatuses[i].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "ECIDeleted", FinishedAt: metav1.Now()}}
	}
	notify(p)
	return nil
}

func (e *eci) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.pods[key(ns, name)]; ok {
		return p.DeepCopy(), nil
	}
	return nil, errdefs.NotFound("pod not found")
}

func (e *eci) GetPodStatus(ctx context.Context, ns, name string) (*corev1.PodStatus, error) {
	p, err := e.GetPod(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return &p.Status, nil
}

func (e *eci) GetPods(_ context.Context) ([]*corev1.Pod, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*corev1.Pod, 0, len(e.pods))
	for _, p := range e.pods {
		out = append(out, p.DeepCopy())
	}
	return out, nil
}

// Nothing runs on ECI here: logs, exec, attach, stats and port-forward have nothing to show.
var errNothingRuns = errdefs.NotFound("mock ECI: no container runs")

func (e *eci) GetContainerLogs(context.Context, string, string, string, api.ContainerLogOpts) (io.ReadCloser, error) {
	return nil, errNothingRuns
}
func (e *eci) RunInContainer(context.Context, string, string, string, []string, api.AttachIO) error {
	return errNothingRuns
}
func (e *eci) AttachToContainer(context.Context, string, string, string, api.AttachIO) error {
	return errNothingRuns
}
func (e *eci) GetStatsSummary(context.Context) (*statsv1alpha1.Summary, error) {
	return nil, errNothingRuns
}
func (e *eci) GetMetricsResource(context.Context) ([]*dto.MetricFamily, error) {
	return nil, errNothingRuns
}
func (e *eci) PortForward(context.Context, string, string, int32, io.ReadWriteCloser) error {
	return errNothingRuns
}
