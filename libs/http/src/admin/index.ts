export { AdminBoardModule, ADMIN_BOARD_ROUTE } from './admin-board.module';
