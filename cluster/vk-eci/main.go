// Command vk-eci is a virtual-kubelet whose provider mocks Alibaba Cloud ECI: it registers an ACK-like
// virtual node (name, labels, taint), "starts" each pod after a configured latency without running
// anything, and fails a configured share of pods as ECI does when a zone is out of inventory.
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to join")
	region := flag.String("region", "cn-hangzhou", "ECI region (part of the node name, like ACK's)")
	zone := flag.String("zone", "i", "zone suffix")
	latency := flag.Duration("start-latency", 10*time.Second, "time from pod creation to Running (already divided by the replay's k)")
	failureRate := flag.Float64("inventory-failure-rate", 0, "share of pods in [0,1] that fail as if the zone had no inventory")
	flag.Parse()
	if *failureRate < 0 || *failureRate > 1 {
		fmt.Fprintln(os.Stderr, "error: --inventory-failure-rate must be in [0, 1]")
		os.Exit(2)
	}
	name := fmt.Sprintf("virtual-kubelet-%s-%s", *region, *zone)
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: kubeconfig %s: %v\n", *kubeconfig, err)
		os.Exit(2)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	newProvider := func(pc nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) {
		shapeNode(pc.Node, *region, *zone)
		return newECI(*latency, *failureRate), nil, nil
	}
	n, err := nodeutil.NewNode(name, newProvider, nodeutil.WithClient(client))
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
	go func() {
		if err := n.Run(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "error: %v\n", err)
			os.Exit(1)
		}
	}()
	if err := n.WaitReady(ctx, time.Minute); err != nil {
		fmt.Fprintf(os.Stderr, "error: node %s not ready: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("virtual node %s ready\n", name)
	<-n.Done()
}

// shapeNode gives the node what ACK's virtual nodes carry, so the same manifests schedule onto it.
func shapeNode(n *corev1.Node, region, zone string) {
	n.Labels["type"] = "virtual-kubelet"
	n.Labels["alibabacloud.com/virtual-node"] = "true"
	n.Labels["topology.kubernetes.io/region"] = region
	n.Labels["topology.kubernetes.io/zone"] = region + "-" + zone
	n.Spec.Taints = []corev1.Taint{{Key: "virtual-kubelet.io/provider", Value: "alibabacloud", Effect: corev1.TaintEffectNoSchedule}}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("10000"),
		corev1.ResourceMemory: resource.MustParse("40000Gi"),
		corev1.ResourcePods:   resource.MustParse("20000"),
		// Pods that request ephemeral storage (the shipped workload does) are unschedulable on a
		// node that advertises none; ECI gives each instance its own disk.
		corev1.ResourceEphemeralStorage: resource.MustParse("100Ti"),
	}
	n.Status.Capacity = capacity
	n.Status.Allocatable = capacity
	n.Status.NodeInfo.OperatingSystem = "linux"
	n.Status.NodeInfo.Architecture = "amd64"
	n.Status.NodeInfo.KubeletVersion = "v1.36.1-eci-mock"
}

// fails decides, stably per pod, whether it hits the inventory shortage: the same pod name always
// gets the same answer, so a replay with the same rate is repeatable.
func fails(ns, name string, rate float64) bool {
	h := fnv.New32a()
	_, _ = h.Write([]byte(ns + "/" + name))
	return float64(h.Sum32()%10000)/10000 < rate
}
