/**
 * Deliveries in flight per receiver in this process. A receiver that hangs holds a slot for a
 * whole timeout per delivery; capped per receiver, it cannot hold every slot of the pool while
 * other receivers' deliveries wait behind it.
 */
export class ReceiverSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly perReceiver: number) {}

  /** The receiver is its URL's origin (scheme, host and port): paths of one server share it. */
  static receiverOf(url: string): string {
    return new URL(url).origin;
  }

  /** Takes a slot, or answers false when the receiver already has its share in flight. */
  take(receiver: string): boolean {
    const taken = this.inFlight.get(receiver) ?? 0;
    if (taken >= this.perReceiver) return false;
    this.inFlight.set(receiver, taken + 1);
    return true;
  }

  release(receiver: string): void {
    const left = (this.inFlight.get(receiver) ?? 1) - 1;
    if (left > 0) this.inFlight.set(receiver, left);
    else this.inFlight.delete(receiver);
  }
}
