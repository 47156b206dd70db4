// Runs the prefork server as a process (see @c1m/server-contract for flags).
import { main } from '@c1m/server-runtime';
import { spec, start } from './server.ts';

main(spec, start);
