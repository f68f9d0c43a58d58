import { throttlingSuite } from './throttling';

throttlingSuite(0.6, 'tb');
