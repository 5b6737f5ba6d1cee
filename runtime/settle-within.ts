/**
 * `promise`, or a rejection with `timedOut()` once `ms` have passed: a bound on a call whose
 * library may never settle (a lost Modbus transaction, an MQTT publish on a dead link).
 */
export function settleWithin<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
