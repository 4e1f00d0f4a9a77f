// The one public door of @recmesh/carbon-books: usage events costed (Booking), stored once by id
// in SQLite (Store), and reported in the Software Carbon Intensity form (report).
export { Booking, givenEnergyJ, refusalOf } from './booking';
export type { BookingFactors, Refusal } from './booking';
export { Store } from './store';
export type { BatchResult, BookedEvent, Rejection } from './store';
export { BOUNDARY, METHOD, report } from './report';
